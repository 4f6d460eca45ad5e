"""Dongguan's integration with Donghong Property (广东东鸿物业发展有限公司), the city-owned
property company: its managed projects synchronised from its feed, takeovers and handovers
through the owners' (or the housing authority's) decision, and its party-mass service
stations (docs/donghong.md)."""
