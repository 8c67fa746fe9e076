"""The web kit: who is calling, guards, error pages, cookies and helpers every controller and page shares."""
