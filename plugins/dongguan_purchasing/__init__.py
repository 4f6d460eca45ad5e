"""Dongguan's rules for buying community services from social organisations (plugin
`dongguan_purchasing`; hooks in plugin.py, entry point in the root pyproject.toml)."""
