"""chromium_page.py - pages opened in headless Chromium (Debian's chromium), for the tests of
the report and the datasheet: a script that counts the images loaded at the size the page
declares, one that loads SVGs and says per SVG whether its title is there and how many texts
lie outside it, and the browser run that dumps the resulting DOM."""
import shutil
import subprocess
import tempfile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
IMAGE_CHECK = """
<script>
window.addEventListener("load", function () {
  var imgs = Array.from(document.images);
  var ok = imgs.filter(function (i) {
    return i.complete && i.naturalWidth == i.getAttribute("width") && i.naturalHeight == i.getAttribute("height");
  });
  var out = document.createElement("pre");
  out.id = "xb-images";
  out.textContent = ok.length + " of " + imgs.length + " loaded at their size";
  document.body.appendChild(out);
});
</script>
"""
# Loads each SVG into an <object>; per SVG: its title text found, and how many text elements
# lie outside its viewport.
TITLE_CHECK = """<!DOCTYPE html><html><body>%s
<script>
window.addEventListener("load", function () {
  var lines = Array.from(document.querySelectorAll("object")).map(function (o) {
    var svg = o.contentDocument && o.contentDocument.documentElement, out = 0, title = false;
    if (!svg) return o.dataset.name + " unreadable";
    var w = svg.width.baseVal.value, h = svg.height.baseVal.value;
    Array.from(svg.querySelectorAll("text")).forEach(function (t) {
      var b = t.getBBox(), m = t.getCTM();
      var left = m.a * b.x + m.e, top = m.d * b.y + m.f, right = left + b.width, bottom = top + b.height;
      if (b.width > 0 && (left < 0 || top < 0 || right > w || bottom > h)) out++;
      if (t.textContent == o.dataset.title) title = true;
    });
    return o.dataset.name + " title " + (title ? "found" : "missing") + ", " + out + " outside";
  });
  var pre = document.createElement("pre");
  pre.id = "xb-titles";
  pre.textContent = lines.join("\\n");
  document.body.appendChild(pre);
});
</script></body></html>
"""


def chromium(*args, timeout=180):
    with tempfile.TemporaryDirectory(prefix="xb-chromium-") as profile:
        return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                               "--disable-background-networking", "--disable-component-update",
                               "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                               "--allow-file-access-from-files", f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout)



# Counts the tables the page rendered and their rows (a table that does not lay out, with no
# height, counts as none).
TABLE_CHECK = """
<script>
window.addEventListener("load", function () {
  var tables = Array.from(document.querySelectorAll("table")).filter(function (t) {
    return t.getBoundingClientRect().height > 0;
  });
  var rows = tables.reduce(function (n, t) { return n + t.rows.length; }, 0);
  var out = document.createElement("pre");
  out.id = "xb-tables";
  out.textContent = tables.length + " tables, " + rows + " rows";
  document.body.appendChild(out);
});
</script>
"""
