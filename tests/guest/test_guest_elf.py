"""test_guest_elf.py - the payload file as the boot contract (host/guest_launcher.h) wants it:
an ELF64 x86-64 executable whose PT_LOAD segments sit at p_paddr >= 1 MiB, a PT_NOTE with the
Xen PVH entry (XEN_ELFNOTE_PHYS32_ENTRY) inside the loaded code, and a multiboot header in the
first 8 KiB whose address fields describe the same bytes as the ELF segment (QEMU's loader
refuses an ELF64 multiboot image without them)."""
import struct
import sys
import unittest

import xbtest

PAYLOAD = None
MB_MAGIC = 0x1BADB002
MB_AOUT_KLUDGE = 0x00010000
XEN_ELFNOTE_PHYS32_ENTRY = 18


def load():
    with open(PAYLOAD, "rb") as f:
        return f.read()


def segments(data):
    e_phoff, = struct.unpack_from("<Q", data, 0x20)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(e_phnum):
        yield struct.unpack_from("<IIQQQQQQ", data, e_phoff + i * e_phentsize)


class PayloadElf(unittest.TestCase):
    def setUp(self):
        self.data = load()
        self.loads = [s for s in segments(self.data) if s[0] == 1]

    def test_elf64_x86_64_executable(self):
        self.assertEqual(self.data[:4], b"\x7fELF")
        self.assertEqual(self.data[4], 2)  # ELFCLASS64
        self.assertEqual(self.data[5], 1)  # little endian
        e_type, e_machine = struct.unpack_from("<HH", self.data, 0x10)
        self.assertEqual((e_type, e_machine), (2, 62))  # ET_EXEC, EM_X86_64
        e_flags, = struct.unpack_from("<I", self.data, 0x30)
        self.assertEqual(e_flags & 0x00010004, 0)  # QEMU's ELF loader refuses these flags

    def test_loads_at_one_mib_and_entry_inside(self):
        self.assertTrue(self.loads)
        for _, _, offset, vaddr, paddr, filesz, memsz, _ in self.loads:
            self.assertGreaterEqual(paddr, 0x100000)
            self.assertEqual(paddr, vaddr)
            self.assertLessEqual(filesz, memsz)
        entry, = struct.unpack_from("<Q", self.data, 0x18)
        self.assertTrue(any(p <= entry < p + fs for _, _, _, _, p, fs, _, _ in self.loads))

    def test_pvh_note(self):
        notes = [s for s in segments(self.data) if s[0] == 4]
        self.assertEqual(len(notes), 1)
        _, _, offset, _, _, filesz, _, align = notes[0]
        self.assertEqual(align, 4)  # QEMU aligns the note's name to p_align
        found = []
        pos = offset
        while pos < offset + filesz:
            namesz, descsz, ntype = struct.unpack_from("<III", self.data, pos)
            name = self.data[pos + 12:pos + 12 + namesz]
            desc_at = pos + 12 + ((namesz + 3) & ~3)
            if name == b"Xen\0" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                self.assertEqual(descsz, 8)
                found.append(struct.unpack_from("<Q", self.data, desc_at)[0])
            pos = desc_at + ((descsz + 3) & ~3)
        self.assertEqual(len(found), 1)
        self.assertTrue(any(p <= found[0] < p + fs for _, _, _, _, p, fs, _, _ in self.loads))

    def test_multiboot_header_matches_the_segment(self):
        at = [i for i in range(0, 8192, 4) if struct.unpack_from("<I", self.data, i)[0] == MB_MAGIC]
        self.assertEqual(len(at), 1)
        i = at[0]
        magic, flags, checksum, header, load, load_end, bss_end, entry = struct.unpack_from("<8I", self.data, i)
        self.assertEqual((magic + flags + checksum) & 0xFFFFFFFF, 0)
        self.assertTrue(flags & MB_AOUT_KLUDGE)
        self.assertFalse(flags & 0x4)  # no video mode request (QEMU does not do VBE)
        # The file bytes QEMU copies (from i - (header - load)) are the ELF segment's bytes.
        seg = [s for s in self.loads if s[4] <= header < s[4] + s[5]]
        self.assertEqual(len(seg), 1)
        _, _, offset, _, paddr, filesz, memsz, _ = seg[0]
        self.assertEqual(i - (header - load), offset + (load - paddr))
        self.assertLessEqual(load_end, paddr + filesz)
        self.assertEqual(bss_end, paddr + memsz)
        self.assertTrue(load <= entry < load_end)


if __name__ == "__main__":
    PAYLOAD = sys.argv.pop(3)
    xbtest.main()
