DROP TABLE credit_ledger;
DROP TABLE credit_hold_allocations;
DROP TABLE credit_holds;
DROP TABLE credit_grants;
DROP TABLE credit_accounts;
