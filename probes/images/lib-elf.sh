# shellcheck shell=bash
# Copying programs with their shared-library closure out of a root of any architecture, without running
# them (ldd would run the loader, which cannot run another architecture's binaries): the interpreter
# (PT_INTERP) and the NEEDED entries are read with readelf, and each library is looked up where Debian's
# loader looks when there is no ld.so.cache, as in the images: /lib/TRIPLET, /usr/lib/TRIPLET, /lib,
# /usr/lib. Needs bash and readelf (binutils). Sourced by the image recipes; the Dockerfiles run it too:
#   bash lib-elf.sh SYSROOT OUTROOT PATH...      (the same as elf_copy)

# elf_triplet FILE: Debian's multiarch triplet of an ELF file's machine; fails for a machine it does not know.
elf_triplet() {
  case $(readelf -hW "$1" | sed -n 's/^ *Machine: *//p') in
    'Advanced Micro Devices X86-64') echo x86_64-linux-gnu ;;
    AArch64) echo aarch64-linux-gnu ;;
    *) echo "elf: $1: a machine the images are not built for" >&2; return 1 ;;
  esac
}

# elf_deps FILE: its interpreter (an absolute path) and its NEEDED names, one a line.
elf_deps() {
  readelf -lW "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p'
  readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

# elf_copy_path SYSROOT OUTROOT PATH: copies PATH, and every symlink on the way to the file it names,
# from SYSROOT into OUTROOT (an absolute link resolves inside SYSROOT); prints the final path.
elf_copy_path() {
  local sys=$1 out=$2 p=$3 hops=0 target
  while [[ -L $sys$p ]]; do
    ((++hops <= 16)) || { echo "elf: $p: too many symlinks" >&2; return 1; }
    target=$(readlink "$sys$p")
    mkdir -p "$out$(dirname "$p")"
    ln -sfn "$target" "$out$p"
    [[ $target == /* ]] || target=$(dirname "$p")/$target
    p=$(realpath -ms "$target")
  done
  [[ -f $sys$p ]] || { echo "elf: $p is not a file in $sys" >&2; return 1; }
  mkdir -p "$out$(dirname "$p")"
  cp -p "$sys$p" "$out$p"
  echo "$p"
}

# elf_copy SYSROOT OUTROOT PATH...: each PATH (absolute, inside SYSROOT) and, recursively, the
# interpreter and NEEDED libraries of every ELF file among them, into OUTROOT at the same paths.
elf_copy() {
  local sys=$1 out=$2 queue=("${@:3}") p file dep dir triplet found
  local -A seen=()
  while ((${#queue[@]})); do
    p=${queue[0]} queue=("${queue[@]:1}")
    [[ -z ${seen[$p]:-} ]] || continue
    seen[$p]=1
    file=$(elf_copy_path "$sys" "$out" "$p") || return 1
    [[ -z ${seen[=$file]:-} ]] || continue # reached before through another link
    seen[=$file]=1
    readelf -hW "$sys$file" >/dev/null 2>&1 || continue # not ELF: nothing to follow
    triplet=$(elf_triplet "$sys$file") || return 1
    while read -r dep; do
      if [[ $dep == /* ]]; then queue+=("$dep"); continue; fi
      found=
      for dir in /lib/$triplet /usr/lib/$triplet /lib /usr/lib; do
        if [[ -e $sys$dir/$dep ]]; then found=$dir/$dep; break; fi
      done
      [[ -n $found ]] || { echo "elf: $dep, needed by $file, is not in $sys" >&2; return 1; }
      queue+=("$found")
    done < <(elf_deps "$sys$file")
  done
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  (($# >= 3)) || { echo "usage: lib-elf.sh SYSROOT OUTROOT PATH..." >&2; exit 2; }
  elf_copy "${1%/}" "$2" "${@:3}"
fi
