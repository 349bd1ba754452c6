package dev.ruta.balancer.proxy.transport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An answer's status line and header fields, parsed strictly (RFC 9112 §4, §5): anything an
 * intermediary could misread, and so pass on differently from what the instance meant, is
 * refused as {@link MalformedAnswerException} rather than guessed at.
 */
record AnswerHead(int minorVersion, int status, String reason, Map<String, List<String>> headers) {

    static final int MAX_LINE = 8 * 1024;
    static final int MAX_FIELDS = 200;

    /**
     * @return null when the connection closed before the answer's first byte
     */
    static AnswerHead read(InstanceConnection connection) throws IOException {
        String statusLine = connection.readLine(MAX_LINE);
        if (statusLine == null) {
            return null;
        }
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.") || statusLine.charAt(8) != ' '
                || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
            throw new MalformedAnswerException("Not an HTTP/1.x status line: " + printable(statusLine));
        }
        char minor = statusLine.charAt(7);
        if (minor != '0' && minor != '1') {
            throw new MalformedAnswerException("Not an HTTP/1.x status line: " + printable(statusLine));
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char digit = statusLine.charAt(i);
            if (digit < '0' || digit > '9') {
                throw new MalformedAnswerException("The status is not three digits: " + printable(statusLine));
            }
            status = status * 10 + (digit - '0');
        }
        if (status < 100 || status > 599) {
            throw new MalformedAnswerException("The status " + status + " is outside 100-599");
        }
        String reason = statusLine.length() > 13 ? statusLine.substring(13) : "";
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int fields = 0;
        for (String line; !(line = field(connection)).isEmpty(); ) {
            if (++fields > MAX_FIELDS) {
                throw new MalformedAnswerException("The answer has more than " + MAX_FIELDS + " header fields");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line, colon)) {
                throw new MalformedAnswerException("Not a header field: " + printable(line));
            }
            String value = line.substring(colon + 1).strip();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < ' ' && c != '\t' || c == 0x7f) {
                    throw new MalformedAnswerException("A control character in header " + line.substring(0, colon));
                }
            }
            headers.computeIfAbsent(line.substring(0, colon), name -> new ArrayList<>(1)).add(value);
        }
        return new AnswerHead(minor - '0', status, reason, headers);
    }

    private static String field(InstanceConnection connection) throws IOException {
        String line = connection.readLine(MAX_LINE);
        if (line == null) {
            throw new CutAnswerException("The connection closed inside the answer's header");
        }
        if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
            // Obsolete line folding: read differently by different recipients (RFC 9112 §5.2).
            throw new MalformedAnswerException("A folded header line");
        }
        return line;
    }

    /** RFC 9110 §5.6.2: a field name is a token, with no white space before the colon. */
    private static boolean isToken(String line, int end) {
        for (int i = 0; i < end; i++) {
            char c = line.charAt(i);
            boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!token) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String line) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < Math.min(line.length(), 80); i++) {
            char c = line.charAt(i);
            shown.append(c >= ' ' && c < 0x7f ? c : '?');
        }
        return "'" + shown + "'";
    }

    boolean isInterim() {
        return status < 200;
    }

    /** Every comma-separated token of every value of a header, lower case. */
    List<String> tokens(String name) {
        List<String> tokens = new ArrayList<>(2);
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase(name)) {
                for (String value : header.getValue()) {
                    for (String token : value.split(",")) {
                        String stripped = token.strip();
                        if (!stripped.isEmpty()) {
                            tokens.add(stripped.toLowerCase(Locale.ROOT));
                        }
                    }
                }
            }
        }
        return tokens;
    }

    /** How the body ends, for an answer to {@code method} (RFC 9112 §6.3). */
    Framing framing(String method) throws MalformedAnswerException {
        if ("HEAD".equals(method) || status == 204 || status == 304) {
            return Framing.NONE;
        }
        List<String> codings = tokens("transfer-encoding");
        if (!codings.isEmpty() || hasEmptyValue("transfer-encoding")) {
            // A coding other than chunked would reach the client undeclared (Transfer-Encoding is
            // hop-by-hop); an HTTP/1.0 answer has no transfer codings at all (RFC 9112 §6.1).
            if (!codings.equals(List.of("chunked")) || minorVersion == 0) {
                throw new MalformedAnswerException("Transfer-Encoding " + codings + " in an HTTP/1." + minorVersion + " answer");
            }
            return Framing.CHUNKED;
        }
        return contentLength() >= 0 ? Framing.LENGTH : Framing.UNTIL_CLOSE;
    }

    /**
     * The declared length, or -1 when none is; with Transfer-Encoding, the length is ignored.
     *
     * @throws MalformedAnswerException when the values are not one non-negative number (RFC 9112 §6.3, 5)
     */
    long contentLength() throws MalformedAnswerException {
        if (hasEmptyValue("content-length")) {
            throw new MalformedAnswerException("An empty Content-Length");
        }
        long length = -1;
        for (String value : tokens("content-length")) {
            boolean digits = !value.isEmpty() && value.length() <= 18 && value.chars().allMatch(c -> c >= '0' && c <= '9');
            long parsed = digits ? Long.parseLong(value) : -1;
            if (parsed < 0 || (length >= 0 && parsed != length)) {
                throw new MalformedAnswerException("Content-Length " + printable(value) + " is not one length");
            }
            length = parsed;
        }
        return length;
    }

    /** Whether a header is present with a value, or a list element, that is empty. */
    private boolean hasEmptyValue(String name) {
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase(name)) {
                for (String value : header.getValue()) {
                    if (value.isBlank() || value.strip().startsWith(",") || value.strip().endsWith(",")
                            || value.contains(",,")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether the connection may carry another exchange after this answer's body. */
    boolean keepsConnection(Framing framing) {
        if (framing == Framing.UNTIL_CLOSE) {
            return false;
        }
        if (framing == Framing.CHUNKED && !tokens("content-length").isEmpty()) {
            // Both framings declared: answered, but the connection is not trusted again (RFC 9112 §6.1).
            return false;
        }
        List<String> connection = tokens("connection");
        return minorVersion == 1 ? !connection.contains("close") : connection.contains("keep-alive");
    }
}
