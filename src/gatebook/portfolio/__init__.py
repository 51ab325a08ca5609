"""The portfolio a delivery manager reads: engagements and loose reviews across one or
more workspaces, their RAG, scores, overdue risks and escalations waiting, the flags
raised most and the average per dimension (docs/contracts.md "report")."""
