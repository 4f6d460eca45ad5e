"""Zhuhai's rules for buying community services (plugin `zhuhai_purchasing`)."""
