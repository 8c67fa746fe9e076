"""Calendar invites: who holds a copy, queuing REQUEST/CANCEL, delivering them."""
