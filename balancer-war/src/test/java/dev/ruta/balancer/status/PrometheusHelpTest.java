package dev.ruta.balancer.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PrometheusHelpTest {

    @Test
    void aHistogramsDerivedGaugesGetTheirFamilysHelp() {
        String exported = """
                # HELP ruta_time_microseconds Time to answer, in microseconds
                # TYPE ruta_time_microseconds summary
                ruta_time_microseconds_count{instance="a"} 1
                # TYPE ruta_time_microseconds_mean gauge
                ruta_time_microseconds_mean{instance="a"} 12.5
                # TYPE ruta_time_microseconds_max gauge
                ruta_time_microseconds_max{instance="a"} 20
                """;
        assertEquals("""
                # HELP ruta_time_microseconds Time to answer, in microseconds
                # TYPE ruta_time_microseconds summary
                ruta_time_microseconds_count{instance="a"} 1
                # HELP ruta_time_microseconds_mean Time to answer, in microseconds (its mean)
                # TYPE ruta_time_microseconds_mean gauge
                ruta_time_microseconds_mean{instance="a"} 12.5
                # HELP ruta_time_microseconds_max Time to answer, in microseconds (its max)
                # TYPE ruta_time_microseconds_max gauge
                ruta_time_microseconds_max{instance="a"} 20
                """, PrometheusHelp.complete(exported));
    }

    @Test
    void familiesWithTheirHelpAreLeftAsTheyAre() {
        String exported = "# HELP a_total Things\n# TYPE a_total counter\na_total 3\n";
        assertEquals(exported, PrometheusHelp.complete(exported));
    }

    @Test
    void aRutaFamilyWithNothingToDeriveFromIsNamedInWords() {
        assertEquals("# HELP ruta_odd_thing odd thing\n# TYPE ruta_odd_thing gauge\nruta_odd_thing 1",
                PrometheusHelp.complete("# TYPE ruta_odd_thing gauge\nruta_odd_thing 1"));
    }
}
