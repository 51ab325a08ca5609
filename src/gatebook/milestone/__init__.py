"""Milestones: a review frozen under a name, and what changed between two points.

A layer beside `store` and `plan` (it uses both): a milestone is a file of its own,
`milestones/REVIEW/NAME.json`, written once and never changed; the review's file,
digest and sign-offs are untouched by it (docs/contracts.md "Milestones").
"""
