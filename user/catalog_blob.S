/* SPDX-License-Identifier: GPL-2.0-only */
/* The vendor catalog, built into the binary so every command works alone. */
	.section .rodata
	.global pc_builtin_catalog
	.global pc_builtin_catalog_len
	.balign 8
pc_builtin_catalog:
	.incbin CATALOG_PATH
	.byte 0
pc_builtin_catalog_end:
	.balign 8
pc_builtin_catalog_len:
	.quad pc_builtin_catalog_end - pc_builtin_catalog - 1
	.section .note.GNU-stack,"",@progbits
