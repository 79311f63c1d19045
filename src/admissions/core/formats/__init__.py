"""Dates and times written one way per language, whatever page or message writes them.

Django's English formats mix "April 4, 2024" with the "4 April 2024" of the rules'
explanations and a month-first short date; a French platform writes the day first in both
languages. Templates and messages use only the named formats below (DATE_FORMAT,
SHORT_DATE_FORMAT...), never a format string of their own.
"""
