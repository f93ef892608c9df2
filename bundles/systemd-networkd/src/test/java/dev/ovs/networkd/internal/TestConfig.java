package dev.ovs.networkd.internal;

import java.lang.annotation.Annotation;

/** A {@link NetworkdConfig} for tests outside OSGi. */
final class TestConfig implements NetworkdConfig {
    private final String dir;
    private final String address;
    private final int jobTimeoutSeconds;

    TestConfig(String dir, String address) {
        this(dir, address, 10);
    }

    TestConfig(String dir, String address, int jobTimeoutSeconds) {
        this.dir = dir;
        this.address = address;
        this.jobTimeoutSeconds = jobTimeoutSeconds;
    }

    @Override
    public String network_dir() {
        return dir;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public int job_timeout_seconds() {
        return jobTimeoutSeconds;
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return NetworkdConfig.class;
    }
}
