package dev.ovs.bench;

import java.nio.file.Path;

final class DbusBench {
    private final Path dist;

    DbusBench(Path dist) {
        this.dist = dist;
    }

    String run() throws Exception {
        return "todo";
    }
}
