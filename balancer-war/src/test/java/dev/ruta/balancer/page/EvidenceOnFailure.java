package dev.ruta.balancer.page;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;

/** When a browser test fails, keeps what the browser showed: a screenshot and the page source, under target/. */
final class EvidenceOnFailure implements AfterTestExecutionCallback {

    private final Supplier<WebDriver> driver;

    EvidenceOnFailure(Supplier<WebDriver> driver) {
        this.driver = driver;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) throws IOException {
        WebDriver browser = driver.get();
        if (context.getExecutionException().isEmpty() || browser == null) {
            return;
        }
        Path dir = Path.of("target", "browser-failures");
        Files.createDirectories(dir);
        String name = context.getRequiredTestClass().getSimpleName() + "-" + context.getRequiredTestMethod().getName();
        Files.write(dir.resolve(name + ".png"), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
        Files.writeString(dir.resolve(name + ".html"), browser.getPageSource());
    }
}
