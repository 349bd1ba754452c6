package dev.ruta.operations.registration;

import com.ecwid.consul.v1.agent.model.NewService;
import com.google.gson.annotations.SerializedName;

/**
 * A registration with Consul's {@code Weights}, which the client library's {@link NewService}
 * lacks; its JSON is written from the object's class, so the field travels with the rest.
 */
final class WeightedService extends NewService {

    /** Consul's range for a weight: below 1 it refuses the registration; above, its DNS cannot carry it. */
    static final int MAX_WEIGHT = 65535;

    @SerializedName("Weights")
    private Weights weights = new Weights(1, 1);

    record Weights(@SerializedName("Passing") int passing, @SerializedName("Warning") int warning) {
        // Gson 2.10 and later write a record by its components, the names above.
    }

    /** Weighted {@code passing} while passing, and as Consul by default (1) while its check warns. */
    void setWeight(int passing) {
        this.weights = new Weights(passing, 1);
    }

    Weights getWeights() {
        return weights;
    }
}
