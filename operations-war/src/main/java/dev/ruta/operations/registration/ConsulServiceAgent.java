package dev.ruta.operations.registration;

import com.ecwid.consul.transport.HttpResponse;
import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.ConsulRawClient;
import com.ecwid.consul.v1.agent.model.NewService;
import dev.ruta.operations.instance.ServiceInstance;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.http.Header;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.message.BasicHeader;

/** {@link ServiceAgent} backed by a Consul agent's HTTP API. */
public final class ConsulServiceAgent implements ServiceAgent, AutoCloseable {

    static final String TOKEN_HEADER = "X-Consul-Token";

    private final URI url;
    private final CloseableHttpClient http;
    private final ConsulRawClient raw;
    private final ConsulClient consul;
    private final int weight;

    public ConsulServiceAgent(URI url, Optional<String> token, Duration requestTimeout, int weight) {
        this.url = url;
        this.weight = weight;
        // In a header, never as ?token= in the URL, where proxies and access logs would keep it.
        List<Header> headers = token.filter(value -> !value.isBlank())
                .<List<Header>>map(value -> List.of(new BasicHeader(TOKEN_HEADER, value)))
                .orElse(List.of());
        int timeoutMillis = Math.toIntExact(requestTimeout.toMillis());
        // A dead agent must not hold up startup or shutdown: every call is bounded.
        this.http = HttpClients.custom()
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectTimeout(timeoutMillis)
                        .setConnectionRequestTimeout(timeoutMillis)
                        .setSocketTimeout(timeoutMillis)
                        .build())
                .disableAutomaticRetries()
                .setDefaultHeaders(headers)
                .build();
        String path = url.getPath() == null || url.getPath().equals("/") ? "" : url.getPath();
        this.raw = ConsulRawClient.Builder.builder()
                .setHost(url.getScheme() + "://" + url.getHost())
                .setPort(url.getPort() > 0 ? url.getPort() : ("https".equals(url.getScheme()) ? 443 : 80))
                .setPath(path)
                .setHttpClient(http)
                .build();
        this.consul = new ConsulClient(raw);
    }

    @Override
    public void register(ServiceInstance instance, CheckSettings check) {
        call(() -> consul.agentServiceRegister(toConsul(instance, check, weight)));
    }

    @Override
    public boolean isRegistered(String serviceId) {
        HttpResponse response = call(() -> raw.makeGetRequest("/v1/agent/service/" + serviceId));
        return switch (response.getStatusCode()) {
            case 200 -> true;
            case 404 -> false;
            default -> throw new AgentUnavailableException("Consul agent at " + url + " answered "
                    + response.getStatusCode() + " " + response.getContent(), null);
        };
    }

    @Override
    public void deregister(String serviceId) {
        call(() -> consul.agentServiceDeregister(serviceId));
    }

    @Override
    public String location() {
        return url.toString();
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (java.io.IOException e) {
            // Nothing left to release: the connections die with the pool.
        }
    }

    static WeightedService toConsul(ServiceInstance instance, CheckSettings settings, int weight) {
        WeightedService service = new WeightedService();
        service.setWeight(weight);
        service.setId(instance.id());
        service.setName(instance.name());
        service.setAddress(instance.address());
        service.setPort(instance.port());
        service.setTags(instance.tags());
        service.setMeta(Map.of("version", instance.version(), "message", instance.message()));
        NewService.Check check = new NewService.Check();
        check.setHttp(instance.baseUrl() + settings.path());
        check.setInterval(ConsulDuration.format(settings.interval()));
        check.setTimeout(ConsulDuration.format(settings.timeout()));
        check.setDeregisterCriticalServiceAfter(ConsulDuration.format(settings.deregisterAfter()));
        service.setCheck(check);
        return service;
    }

    private <T> T call(java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (RuntimeException e) {
            throw new AgentUnavailableException("Consul agent at " + url + ": " + e.getMessage(), e);
        }
    }
}
