"""Dongguan's assessment of property firms, their credit record and blacklist (plugin
`dongguan_assessment`; hooks in plugin.py, entry point in the root pyproject.toml)."""
