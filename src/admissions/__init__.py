"""Admissions: the platform on which schools run admissions to their Mastères Spécialisés."""
