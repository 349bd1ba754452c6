package dev.ruta.balancer.page;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.balancer.it.LocalSystem;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.PayaraProcess;
import dev.ruta.testing.ProjectPaths;
import dev.ruta.testing.RecordingServer;
import dev.ruta.testing.TestHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;

/** The balancer's page in a real headless Chromium, against Consul, three operations instances and the balancer. */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BalancerPageIT {

    private LocalSystem system;
    private final List<PayaraProcess> instances = new ArrayList<>();
    private ChromeDriver browser;
    private Path profile;
    /** A second kind of service, routed by the same tag: the page must show it with no change. */
    private final RecordingServer greeter = new RecordingServer("greeter-1");

    @RegisterExtension
    final EvidenceOnFailure evidence = new EvidenceOnFailure(() -> browser);

    @BeforeAll
    void start(ConsulAgent consul) {
        Chromium.ensureInstalled();
        system = new LocalSystem(consul);
        instances.addAll(system.startSeed(3, "Hola desde la instancia"));
        system.registerInstance("greeter-1", "greeter", greeter.port());
        system.awaitRouted("greeter", List.of("greeter-1"));
        profile = ProjectPaths.scratch("chromium-");
        browser = Chromium.start(profile);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (system != null) {
            system.close();
        }
        greeter.close();
        ProjectPaths.deleteTree(profile);
    }

    @BeforeEach
    void openThePage() {
        browser.get(system.viaBalancer("/").toString());
        await("the live table lists the instances").atMost(Duration.ofSeconds(30))
                .until(() -> rowIds().containsAll(ids()));
        // The operations come by a request of their own, through the balancer: once they are
        // there, no request of the page's own takes a turn among a test's requests.
        await("the operations offered").atMost(Duration.ofSeconds(30)).until(() -> !optionValues().isEmpty());
    }

    @Test
    @Order(0)
    void thePageLoadsWithACleanConsole() {
        browser.manage().logs().get(LogType.BROWSER);
        browser.navigate().refresh();
        await("the live table lists the instances").atMost(Duration.ofSeconds(30)).until(() -> rowIds().containsAll(ids()));
        List<String> problems = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue())
                .map(LogEntry::getMessage).toList();
        assertEquals(List.of(), problems, "the console after a load (a favicon's 404 was one)");
    }

    @Test
    @Order(1)
    void theOperationsOfferedAreTheOnesTheServiceLists() {
        List<String> listed = TestHttp.get(system.viaBalancer("/api/operations")).jsonArray().stream()
                .map(operation -> operation.asJsonObject().getString("name")).toList();
        await("the list of operations loaded").atMost(Duration.ofSeconds(10))
                .until(() -> optionValues().size() == listed.size());
        assertEquals(listed, optionValues());
    }

    @Test
    @Order(1)
    void everyRoutedServiceHasItsTable() {
        await("the greeter's table").atMost(Duration.ofSeconds(30)).until(() -> (Boolean) browser.executeScript(
                "return document.querySelector(\"table[data-service='greeter'] tr[data-instance='greeter-1']\") !== null;"));
    }

    @Test
    @Order(1)
    void computesAndShowsWhichInstanceAnsweredEachTime() {
        new Select(browser.findElement(By.id("operation"))).selectByValue("add");
        type("a", "0.1");
        type("b", "0.2");
        browser.findElement(By.id("send")).click();
        String first = awaitAnswer("");
        assertEquals("0.3", browser.findElement(By.id("result")).getText());
        assertTrue(browser.findElement(By.id("answered-message")).getText().startsWith("Hola desde la instancia"));

        browser.findElement(By.id("send")).click();
        String second = awaitAnswer(first);
        assertNotEquals(first, second, "round-robin: another instance answers");
        await("the live table shows how fast each instance that answered was").atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> cellOf(second, "Answer time").matches("\\d+\\.\\d ms") && cellOf(first, "Answer time").endsWith(" ms"));
        assertEquals("–", cellOf(second, "Slow start"), "no slow start by default: every instance takes its whole share");
    }

    @Test
    @Order(2)
    void sendThirtyDrawsThreeBarsOfTen() {
        browser.findElement(By.id("send30")).click();
        await("three bars").atMost(Duration.ofSeconds(60))
                .until(() -> browser.findElements(By.cssSelector("#distribution li")).size() == 3);
        @SuppressWarnings("unchecked")
        Map<String, String> bars = (Map<String, String>) browser.executeScript("return Object.fromEntries(Array.from("
                + "document.querySelectorAll('#distribution li')).map(bar => [bar.dataset.instance, "
                + "bar.querySelector('.count').textContent + ' ' + bar.querySelector('.share').textContent]));");
        String share = "10 33% (weight 33%)";
        assertEquals(Map.of(id(0), share, id(1), share, id(2), share), bars, "each instance's share beside its weight's");

        @SuppressWarnings("unchecked")
        List<String> strip = (List<String>) browser.executeScript(
                "return Array.from(document.querySelectorAll('#strip li')).map(cell => cell.dataset.instance);");
        assertEquals(30, strip.size());
        @SuppressWarnings("unchecked")
        List<String> colours = (List<String>) browser.executeScript(
                "return Array.from(document.querySelectorAll('#strip li')).map(cell => getComputedStyle(cell).backgroundColor);");
        for (int i = 0; i + 3 < strip.size(); i++) {
            assertNotEquals(strip.get(i), strip.get(i + 1), "neighbours differ at " + i + ": " + strip);
            assertEquals(strip.get(i), strip.get(i + 3), "every third the same at " + i + ": " + strip);
            assertTrue(apart(colours.get(i), colours.get(i + 1)), "neighbours look different at " + i + ": " + colours);
            assertEquals(colours.get(i), colours.get(i + 3), "one instance, one colour, at " + i + ": " + colours);
        }
    }

    @Test
    @Order(3)
    void aNewInstanceAppearsInTheLiveTableWithoutReload() {
        String marker = "before-start";
        browser.executeScript("document.body.dataset.marker = arguments[0]", marker);
        PayaraProcess fourth = system.startOperations("Hola desde la instancia 4");
        instances.add(fourth);
        await("the fourth instance in the table").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                .until(() -> rowIds().contains(LocalSystem.idOf(fourth)));
        await("the page says it joined").atMost(Duration.ofSeconds(10))
                .until(() -> browser.findElement(By.id("changes")).getText()
                        .contains(LocalSystem.idOf(fourth) + " joined operations"));
        assertEquals(marker, browser.executeScript("return document.body.dataset.marker"), "the page was not reloaded");
    }

    @Test
    @Order(4)
    void aKilledInstanceLeavesTheLiveTable() {
        PayaraProcess victim = instances.remove(instances.size() - 1);
        victim.kill();
        await("the killed instance leaves the table").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
                .until(() -> !rowIds().contains(LocalSystem.idOf(victim)));
        await("the page says it left").atMost(Duration.ofSeconds(10))
                .until(() -> browser.findElement(By.id("changes")).getText()
                        .contains(LocalSystem.idOf(victim) + " left operations"));
        victim.close();
    }

    @Test
    @Order(5)
    void aBadOperandReadsAsASentence() {
        type("a", "abc");
        browser.findElement(By.id("send")).click();
        WebElement error = browser.findElement(By.id("error"));
        await("an error").atMost(Duration.ofSeconds(10)).until(error::isDisplayed);
        assertEquals("Operand 'a' is not a number: 'abc'.", error.getText());

        new Select(browser.findElement(By.id("operation"))).selectByValue("divide");
        type("a", "1");
        type("b", "0");
        browser.findElement(By.id("send")).click();
        await("division by zero explained").atMost(Duration.ofSeconds(10))
                .until(() -> error.getText().equals("Cannot divide by zero: b must not be 0."));
    }

    @Test
    @Order(6)
    void readsOnAPhoneWidthScreenAndWorksFromTheKeyboard() {
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(375, 812));
        openThePage();
        Number overflow = (Number) browser.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertEquals(0, overflow.intValue(), "no horizontal scrolling at 375 px");
        for (String control : List.of("operation", "a", "b")) {
            WebElement field = browser.findElement(By.id(control));
            assertEquals(1, browser.findElements(By.cssSelector("label[for='" + control + "']")).size(), control + " has a label");
            assertTrue(field.isDisplayed());
        }
        new Select(browser.findElement(By.id("operation"))).selectByValue("subtract");
        WebElement a = browser.findElement(By.id("a"));
        a.clear();
        a.sendKeys("7");
        browser.findElement(By.id("b")).clear();
        browser.findElement(By.id("b")).sendKeys("5", org.openqa.selenium.Keys.ENTER);
        await("computed from the keyboard").atMost(Duration.ofSeconds(10))
                .until(() -> browser.findElement(By.id("result")).getText().equals("2"));
    }

    @SuppressWarnings("unchecked")
    private List<String> optionValues() {
        return (List<String>) browser.executeScript(
                "return Array.from(document.querySelectorAll('#operation option')).map(option => option.value);");
    }

    private String awaitAnswer(String previous) {
        return await("an answer").atMost(Duration.ofSeconds(10))
                .until(() -> browser.findElement(By.id("answered-by")).getText(),
                        answeredBy -> !answeredBy.isEmpty() && !answeredBy.equals(previous));
    }

    private void type(String field, String text) {
        WebElement input = browser.findElement(By.id(field));
        input.clear();
        input.sendKeys(text);
    }

    /** One cell of an instance's row in the live table, by its column's heading; read in one script, as below. */
    private String cellOf(String instance, String column) {
        return (String) browser.executeScript("const table = document.querySelector(\"table[data-service='operations']\");"
                + "const index = Array.from(table.querySelectorAll('th')).findIndex(th => th.textContent === arguments[1]);"
                + "const row = table.querySelector('tbody tr[data-instance=\"' + arguments[0] + '\"]');"
                + "return row && index >= 0 ? row.cells[index].textContent : '';", instance, column);
    }

    /** Read in one script: the live table is redrawn on every event, so elements found earlier go stale. */
    @SuppressWarnings("unchecked")
    private List<String> rowIds() {
        return (List<String>) browser.executeScript("return Array.from(document.querySelectorAll("
                + "\"table[data-service='operations'] tbody tr[data-instance]\")).map(row => row.dataset.instance);");
    }

    private String id(int index) {
        return LocalSystem.idOf(instances.get(index));
    }

    private List<String> ids() {
        return instances.stream().map(LocalSystem::idOf).toList();
    }

    /**
     * Told apart at a glance: some channel differs by at least a quarter of its range (hues a
     * degree apart, as the page once drew them, differ by one or two).
     */
    private static boolean apart(String rgb, String other) {
        int[] a = channels(rgb);
        int[] b = channels(other);
        int most = 0;
        for (int i = 0; i < 3; i++) {
            most = Math.max(most, Math.abs(a[i] - b[i]));
        }
        return most >= 64;
    }

    private static int[] channels(String rgb) {
        String[] parts = rgb.replaceAll("[^0-9,]", "").split(",");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }
}
