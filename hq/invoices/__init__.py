"""数电 e-invoices on request: the buyer's request, the invoice lines built from HQ's stored sale,
the provider interface, HQ's book of invoices and the worker that issues them (docs/invoices.md)."""
