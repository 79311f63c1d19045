"""Stripe hosted checkout."""
