package dev.ruta.balancer.it.greeter;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** A second kind of microservice, as the seed asks: nothing to do with arithmetic. */
@ApplicationPath("api")
public class GreeterApplication extends Application {
}
