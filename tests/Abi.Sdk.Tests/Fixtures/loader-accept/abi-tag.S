/* An NT_GNU_ABI_TAG note asking for Linux 5.10.0: loaders before glibc 2.36 skip the library on an older kernel. */
	.section .note.ABI-tag, "a", @note
	.balign 4
	.long 4
	.long 16
	.long 1
	.asciz "GNU"
	.long 0
	.long 5, 10, 0
	.section .note.GNU-stack, "", @progbits
