"""Programs services: each module one concern, none of them importing litestar."""
