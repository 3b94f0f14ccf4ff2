# People data is not registered in Django admin on purpose: admin reads are not scoped to the
# actor's subtree, so personal data is reached only through the scoped pages and API.
