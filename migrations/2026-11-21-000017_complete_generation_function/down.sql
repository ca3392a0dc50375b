DROP FUNCTION complete_generation(uuid, uuid, text[], uuid[], text[], text[], integer[], integer[],
                                  text[], bigint[], bytea[]);
DROP FUNCTION settle_hold(uuid, text);
