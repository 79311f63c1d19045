"""The schools' policy as pure functions over plain data: no Django, nothing of the project.

Rulebook schema, eligibility, checklists, deadlines, fees and tuition, refunds.
"""
