"""The review workspace's pages: queues, the case page, held decisions."""
