DROP TABLE collection_shares;
