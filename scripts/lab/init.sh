#!/bin/busybox sh
# init.sh - /init of the lab's initramfs: mounts proc, sys and dev, loads the kernel modules
# (kvm, kvm_amd, any extra ones) in order, checks /dev/kvm, runs the requested command (or a
# shell), then sends its output, exit status and the requested files to the host over the
# second serial port as a base64 tar framed by marker lines, and powers off.
/bin/busybox --install -s /bin
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=linux
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /lab/out/files /tmp
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# /tmp stays on the initramfs (already in memory and writable): a tmpfs over it would hide
# the files --put there
chmod 1777 /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname lab

log() { echo "lab: $*"; }

while read -r module; do
	insmod "$module" || log "insmod $module failed (exit $?)"
done </lab/modules
uname -r >/lab/out/release
if [ -c /dev/kvm ]; then
	log "/dev/kvm present (modules: $(lsmod | awk 'NR > 1 && /kvm/ {printf "%s ", $1}'))"
	echo present >/lab/out/kvm
else
	log "no /dev/kvm; the kernel said:"
	dmesg | grep -i -E 'kvm|svm|RT requires' | tail -n 5
	echo absent >/lab/out/kvm
fi

cd /lab/work
if grep -q 'xb_lab=shell' /proc/cmdline; then
	log "shell: exit it to bring the --get files out and power off"
	setsid cttyhack sh -l
	echo $? >/lab/out/status
	: >/lab/out/output
else
	limit=$(cat /lab/timeout)
	start=$(date +%s)
	{
		timeout "$limit" sh /lab/command </dev/null 2>&1
		echo $? >/lab/out/status
	} | tee /lab/out/output
	if [ $(($(date +%s) - start)) -ge "$limit" ]; then
		log "the command ran out of its ${limit} s"
		echo 124 >/lab/out/status
	fi
fi

n=0
while read -r path; do
	[ -e "$path" ] && cp -a "$path" "/lab/out/files/$n"
	n=$((n + 1))
done </lab/gets
stty -F /dev/ttyS1 raw -echo 2>/dev/null
{
	echo XB-LAB-BEGIN
	tar -C /lab/out -cf - . | gzip | base64
	echo XB-LAB-END
} >/dev/ttyS1
sync
poweroff -f
