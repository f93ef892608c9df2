package dev.ovs.bench;

import java.nio.file.Path;

final class BusBench {
    private final Path dist;

    BusBench(Path dist) {
        this.dist = dist;
    }

    String run() throws Exception {
        return "todo";
    }
}
