package dev.kora4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * What a task sends back to the driver, as JSON: the run's results.json text, or why the run
 * diverged (a NaN or infinite loss: the same again on every retry, so it is a result, not a failure).
 */
record RunOutcome(String id, boolean diverged, String message, String results) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static RunOutcome done(String id, String results) {
        return new RunOutcome(id, false, null, results);
    }

    static RunOutcome diverged(String id, String message) {
        return new RunOutcome(id, true, message, null);
    }

    String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("status", diverged ? "diverged" : "done");
        o.put("message", message);
        o.put("results", results);
        return o.toString();
    }

    static RunOutcome parse(String json) {
        try {
            JsonNode o = JSON.readTree(json);
            return new RunOutcome(o.get("id").asText(), o.get("status").asText().equals("diverged"), text(o.get("message")), text(o.get("results")));
        } catch (IOException e) {
            throw new IllegalStateException("a task sent back something other than its outcome: " + json, e);
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
