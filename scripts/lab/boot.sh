#!/bin/sh
# Boots a kernel and initramfs under qemu-system-x86_64 with TCG and `-cpu max` (which
# emulates SVM, so kvm_amd works inside), or with KVM and `-cpu host` (ACCEL kvm): the first
# serial port is the console, logged to WORK/console.log (and shown on the terminal in the
# shell and console modes), the second carries the framed results to WORK/transfer.log.
# Kills QEMU after LIMIT seconds (exit 124).
# Usage: boot.sh KERNEL INITRD WORK MODE(run|console|shell) MEMORY_MIB CPUS LIMIT_S [ACCEL]
set -eu
kernel=$1 initrd=$2 work=$3 mode=$4 memory=$5 cpus=$6 limit=$7 accel=${8:-tcg}

append="console=ttyS0,115200 panic=-1 loglevel=4 xb_lab=$mode"
case $mode in
run) console="file,id=con,path=$work/console.log" ;;
console) console="stdio,id=con,signal=off,logfile=$work/console.log" ;;
shell) console="stdio,id=con,mux=on,signal=off,logfile=$work/console.log" ;;
*) echo "boot: unknown mode $mode" >&2; exit 2 ;;
esac
case $accel in
tcg) cpu=max ;;
kvm) cpu=host ;;
*) echo "boot: unknown accelerator $accel" >&2; exit 2 ;;
esac
set -- qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -m "$memory" -smp "$cpus" \
	-nodefaults -no-reboot -display none -vga none \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-chardev "$console" -serial chardev:con \
	-chardev "file,id=xfer,path=$work/transfer.log" -serial chardev:xfer
[ "$mode" = shell ] && set -- "$@" -mon chardev=con,mode=readline
if [ "$mode" = run ]; then
	exec timeout -k 5 "$limit" "$@" </dev/null
fi
exec timeout --foreground -k 5 "$limit" "$@"
