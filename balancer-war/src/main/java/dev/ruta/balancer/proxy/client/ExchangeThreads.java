package dev.ruta.balancer.proxy.client;

import java.util.concurrent.ThreadFactory;

/**
 * Virtual threads for exchanges. Each carries the application's class loader whichever thread
 * starts it (a servlet thread, or the timer that ends an attempt), as Jersey's providers, CDI's
 * proxies and Payara's filters look themselves up through it.
 */
final class ExchangeThreads implements ThreadFactory {

    private final ThreadFactory virtual = Thread.ofVirtual().name("ruta-exchange").factory();
    private final ClassLoader application;

    ExchangeThreads(ClassLoader application) {
        this.application = application;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = virtual.newThread(task);
        thread.setContextClassLoader(application);
        return thread;
    }
}
