"""Review: the moderators' and supervisors' work on cases. Queues and priority, claims and
leases, the case page, decisions, held decisions and appeals."""
