package dev.ruta.balancer.it.greeter;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

@Path("greeter")
public class GreeterResource {

    @GET
    @Path("hello")
    @Produces(MediaType.APPLICATION_JSON)
    public String hello(@QueryParam("name") String name) {
        return "{\"greeting\":\"Hola, " + (name == null ? "mundo" : name) + "\"}";
    }
}
