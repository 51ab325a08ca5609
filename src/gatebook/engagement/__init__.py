"""Engagements: one customer engagement through its life, as a record of its own.

A layer beside `store` and `plan` (it uses both; neither knows it): the engagement
file names its member reviews, holds the answers its members share and the reasons
a stage was started early. A review's own file never changes when it joins, so its
digest and its sign-offs stay as they were (docs/contracts.md "Engagements").
"""
