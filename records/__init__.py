"""Records: what the site keeps, for how long, and each person's rights over it.

The records inventory (what each table holds and its retention class), the
retention schedule and its chore, legal holds, and the data rights (download
everything held about me, ask for erasure). It stands above every other domain
package because it reads and anonymizes all of their tables.
"""
