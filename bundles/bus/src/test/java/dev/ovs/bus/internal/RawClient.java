package dev.ovs.bus.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** A raw line-protocol connection to the bus socket, for line-level tests (reads time out after 20 s). */
final class RawClient implements AutoCloseable {
    private final ObjectMapper mapper = new ObjectMapper();
    final AFUNIXSocket s;
    final BufferedReader in;
    final OutputStream out;

    RawClient(Path sock) throws IOException {
        s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(sock));
        s.setSoTimeout(20_000);
        in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        out = s.getOutputStream();
    }

    void send(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    void sendBytes(byte[]... parts) throws IOException {
        for (byte[] b : parts) {
            out.write(b);
        }
        out.write('\n');
        out.flush();
    }

    String readLine() throws IOException {
        return in.readLine();
    }

    JsonNode read() throws IOException {
        String l = in.readLine();
        return l == null ? null : mapper.readTree(l);
    }

    /** Sends a line and reads the next one. */
    JsonNode call(String line) throws IOException {
        send(line);
        return read();
    }

    @Override
    public void close() throws IOException {
        s.close();
    }
}
