package dev.ruta.operations.api;

import dev.ruta.operations.arithmetic.Operands;
import dev.ruta.operations.arithmetic.Operation;
import dev.ruta.operations.instance.InstanceIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("operations")
@Produces(MediaType.APPLICATION_JSON)
@ApplicationScoped
@Tag(name = "operations")
public class OperationsResource {

    private final InstanceIdentity identity;

    protected OperationsResource() {
        this(null);
    }

    @Inject
    public OperationsResource(InstanceIdentity identity) {
        this.identity = identity;
    }

    @GET
    @org.eclipse.microprofile.openapi.annotations.Operation(summary = "The supported operations")
    public List<OperationDescription> list() {
        return Arrays.stream(Operation.values()).map(OperationDescription::of).toList();
    }

    @GET
    @Path("{name}")
    @org.eclipse.microprofile.openapi.annotations.Operation(summary = "Compute a operation b from query parameters")
    @APIResponse(responseCode = "200", description = "The result and the instance that computed it")
    @APIResponse(responseCode = "400", description = "Missing, non-numeric or out-of-range operand; division by zero")
    @APIResponse(responseCode = "404", description = "Unknown operation")
    public OperationResult compute(@PathParam("name") @Parameter(example = "add") String name,
                                   @QueryParam("a") @Parameter(example = "2") String a,
                                   @QueryParam("b") @Parameter(example = "3") String b) {
        return answer(name, a, b);
    }

    @POST
    @Path("{name}")
    @org.eclipse.microprofile.openapi.annotations.Operation(summary = "Compute a operation b from a JSON body")
    @APIResponse(responseCode = "200", description = "The result and the instance that computed it")
    @APIResponse(responseCode = "400", description = "Malformed JSON, missing or invalid operand; division by zero")
    @APIResponse(responseCode = "404", description = "Unknown operation")
    public OperationResult computeFromBody(@PathParam("name") String name,
                                           @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                                   schema = @Schema(example = "{\"a\": 2, \"b\": 3}"))) String body) {
        Operation operation = Operation.named(name);
        JsonOperands operands = JsonOperands.parse(body);
        return answer(operation, operands.text("a"), operands.text("b"));
    }

    private OperationResult answer(String name, String a, String b) {
        return answer(Operation.named(name), a, b);
    }

    private OperationResult answer(Operation operation, String a, String b) {
        BigDecimal left = Operands.parse("a", a);
        BigDecimal right = Operands.parse("b", b);
        BigDecimal result = operation.apply(left, right);
        String instance = identity.current().map(self -> self.id()).orElse("starting");
        return new OperationResult(operation.externalName(), left, right, result, instance);
    }
}
