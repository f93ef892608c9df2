package dev.ovs.ovsdb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;

/**
 * The result of one operation of a transaction (RFC 7047 §5.2).
 *
 * @param op      the operation name ("insert", "select", ...; "commit-error" for the extra commit result)
 * @param uuid    the new row's UUID for insert, else null
 * @param count   number of rows matched for update/mutate/delete, else -1
 * @param rows    decoded rows for select, else an empty list
 * @param error   the "error" string if this operation failed, else null
 * @param details the "details" string, or null
 * @param json    the raw JSON result (null if the server did not execute the operation)
 */
public record OperationResult(String op, UUID uuid, long count, List<Row> rows, String error, String details,
        JsonNode json) {
}
