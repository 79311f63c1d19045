"""Card payment providers; see base.py for the interface and the registry."""
