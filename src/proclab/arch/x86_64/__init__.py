"""x86-64 on Unicorn: the CPU, its register files and the page-table format."""
