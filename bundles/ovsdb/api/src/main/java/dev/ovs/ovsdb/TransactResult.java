package dev.ovs.ovsdb;

import dev.ovs.base.InvalidArgumentException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;

/**
 * The typed result of a {@code transact}: one {@link OperationResult} per operation, plus a trailing one if
 * the commit itself failed (RFC 7047 §4.1.3).
 *
 * @param results per-operation results
 * @param json    the raw result array
 */
public record TransactResult(List<OperationResult> results, JsonNode json) {

    /** @return index of the first failed operation, or -1 if all succeeded */
    public int errorIndex() {
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).error() != null) {
                return i;
            }
        }
        return -1;
    }

    /** @return true if no operation failed */
    public boolean ok() {
        return errorIndex() < 0;
    }

    /**
     * @param index operation index
     * @return the insert's UUID
     * @throws InvalidArgumentException ({@code index}) if that operation was not a successful insert
     */
    public UUID uuid(int index) {
        UUID u = results.get(index).uuid();
        if (u == null) {
            throw new InvalidArgumentException("index", "operation " + index + " is not a successful insert");
        }
        return u;
    }

    /**
     * @return this
     * @throws OvsdbServerException for the first failed operation, with its index, error and details
     */
    public TransactResult throwIfError() {
        int i = errorIndex();
        if (i >= 0) {
            OperationResult r = results.get(i);
            throw new OvsdbServerException(r.error(), r.details(), i);
        }
        return this;
    }
}
