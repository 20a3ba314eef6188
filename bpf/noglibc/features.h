/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guard, first on the BPF build's include path: every glibc header starts
 * with <features.h>, so a UAPI header that drags glibc into a BPF program
 * stops the build here, on every machine, instead of only on machines
 * without the 32-bit glibc headers (gnu/stubs-32.h; -target bpf is not
 * x86_64, so glibc picks its 32-bit stubs).
 */
#error "a glibc header reached the BPF build; include UAPI (linux/) headers only"
