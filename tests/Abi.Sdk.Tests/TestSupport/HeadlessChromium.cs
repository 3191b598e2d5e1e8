using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Abi.Sdk.Tests.TestSupport;

/// <summary>
/// Debian's chromium, headless, driven over the Chrome DevTools Protocol (a WebSocket on a loopback port it picks):
/// enough to load a page, read console messages and exceptions, type, click with the mouse, evaluate script and take a
/// screenshot. No package beyond the framework's <see cref="ClientWebSocket"/>.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _reader;
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Every event received, in order (method and params).</summary>
    public ConcurrentQueue<(string Method, JsonElement Params)> Events { get; } = new();

    /// <summary>chromium on PATH, or null.</summary>
    public static string? Find() => Tools.Find("chromium") ?? Tools.Find("chromium-browser");

    /// <summary>Starts the browser on a blank page and attaches to it.</summary>
    public static async Task<HeadlessChromium> StartAsync(string executable, int width = 1280, int height = 900)
    {
        var profile = Directory.CreateTempSubdirectory("abi-chromium-").FullName;
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        // --no-sandbox: CI and this machine run tests as root, where chromium refuses its sandbox; the page is our own file.
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-background-networking", "--remote-debugging-port=0", "--remote-allow-origins=*", $"--user-data-dir={profile}",
            $"--window-size={width},{height}", "about:blank",
        })
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        var browser = new HeadlessChromium(process, profile);
        try
        {
            _ = process.StandardOutput.ReadToEndAsync();
            var endpoint = await ReadEndpointAsync(process).WaitAsync(TimeSpan.FromSeconds(60));
            var port = new Uri(endpoint).Port;
            using var http = new HttpClient();
            var pageSocket = await FindPageAsync(http, port);
            await browser._socket.ConnectAsync(new Uri(pageSocket), CancellationToken.None);
            browser._reader = Task.Run(browser.ReadLoopAsync);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    private static async Task<string> ReadEndpointAsync(Process process)
    {
        var log = new StringBuilder();
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            log.AppendLine(line);
            if (DevToolsLine().Match(line) is { Success: true } m)
            {
                // Keep draining stderr so the browser never blocks on a full pipe.
                _ = process.StandardError.ReadToEndAsync();
                return m.Groups[1].Value;
            }
        }

        throw new InvalidOperationException($"chromium exited without a DevTools endpoint:\n{log}");
    }

    private static async Task<string> FindPageAsync(HttpClient http, int port)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            using var list = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"));
            foreach (var target in list.RootElement.EnumerateArray())
            {
                if (target.GetProperty("type").GetString() == "page")
                {
                    return target.GetProperty("webSocketDebuggerUrl").GetString()!;
                }
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("chromium has no page target");
    }

    /// <summary>Sends a command and waits for its result; a protocol error throws.</summary>
    public async Task<JsonElement> SendAsync(string method, object? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var done = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = done;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = JsonSerializer.SerializeToNode(parameters ?? new { }) };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        return await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Evaluates an expression in the page and returns its value (by value: JSON-able results).</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (result.TryGetProperty("exceptionDetails", out var error))
        {
            throw new InvalidOperationException($"page script failed: {error}");
        }

        var value = result.GetProperty("result");
        return value.TryGetProperty("value", out var v) ? v.Clone() : default;
    }

    /// <summary>Navigates and waits for the load event.</summary>
    public async Task NavigateAsync(string url)
    {
        var before = Events.Count(e => e.Method == "Page.loadEventFired");
        await SendAsync("Page.navigate", new { url });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Events.Count(e => e.Method == "Page.loadEventFired") == before)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{url} did not load");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Clicks with the mouse at the centre of the first element a selector matches (scrolled into view first).</summary>
    public async Task ClickAsync(string selector)
    {
        var box = await EvaluateAsync($$"""
            (() => { const e = document.querySelector({{JsonSerializer.Serialize(selector)}}); e.scrollIntoView({block: 'center'});
                     const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()
            """);
        double x = box[0].GetDouble(), y = box[1].GetDouble();
        await SendAsync("Input.dispatchMouseEvent", new { type = "mouseMoved", x, y });
        await SendAsync("Input.dispatchMouseEvent", new { type = "mousePressed", x, y, button = "left", clickCount = 1 });
        await SendAsync("Input.dispatchMouseEvent", new { type = "mouseReleased", x, y, button = "left", clickCount = 1 });
    }

    /// <summary>Types text into the focused element, as a keyboard would (input events fire).</summary>
    public Task TypeAsync(string text) => SendAsync("Input.insertText", new { text });

    /// <summary>A PNG of the page at the given size (the whole page when it is taller than the window).</summary>
    public async Task<byte[]> ScreenshotAsync(bool fullPage = false)
    {
        var result = await SendAsync("Page.captureScreenshot", new { format = "png", captureBeyondViewport = fullPage });
        return Convert.FromBase64String(result.GetProperty("data").GetString()!);
    }

    /// <summary>Console errors and warnings, uncaught exceptions and browser log errors seen so far, as lines.</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        foreach (var (method, p) in Events)
        {
            switch (method)
            {
                case "Runtime.consoleAPICalled" when p.GetProperty("type").GetString() is "error" or "warning" or "assert":
                    problems.Add($"console.{p.GetProperty("type").GetString()}: {p.GetProperty("args")}");
                    break;
                case "Runtime.exceptionThrown":
                    problems.Add($"exception: {p.GetProperty("exceptionDetails")}");
                    break;
                case "Log.entryAdded" when p.GetProperty("entry").GetProperty("level").GetString() is "error" or "warning":
                    problems.Add($"log: {p.GetProperty("entry")}");
                    break;
            }
        }

        return problems;
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var r = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage)
                {
                    continue;
                }

                using (var doc = JsonDocument.Parse(message.ToArray()))
                {
                    var root = doc.RootElement;
                    if (root.TryGetProperty("id", out var id) && _pending.TryRemove(id.GetInt32(), out var done))
                    {
                        if (root.TryGetProperty("error", out var error))
                        {
                            done.SetException(new InvalidOperationException($"DevTools error: {error}"));
                        }
                        else
                        {
                            done.SetResult(root.GetProperty("result").Clone());
                        }
                    }
                    else if (root.TryGetProperty("method", out var method))
                    {
                        Events.Enqueue((method.GetString()!, root.TryGetProperty("params", out var p) ? p.Clone() : default));
                    }
                }

                message.SetLength(0);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await SendAsync("Browser.close").WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or WebSocketException or OperationCanceledException)
        {
        }

        _stop.Cancel();

        if (!_process.WaitForExit(5_000))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _socket.Dispose();
        if (_reader is not null)
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }

        _stop.Dispose();
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsLine();
}
