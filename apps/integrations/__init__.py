"""Shop integrations (issue 15): connections to sellers' shops, the inbox of platform events and
the links from platform orders to ours."""
