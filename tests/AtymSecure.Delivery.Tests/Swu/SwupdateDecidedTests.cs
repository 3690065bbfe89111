using AtymSecure.TestSupport;

namespace AtymSecure.Delivery.Tests.Swu;

/// <summary>
/// Which SWUpdate runs <see cref="Swupdate"/> runs again: only those that decided nothing (the IDLE race of SWUpdate 2022.12, a
/// crash). The outputs are the closing lines SWUpdate printed here in each case.
/// </summary>
public sealed class SwupdateDecidedTests
{
    private const string EndedSuccessful = "[INFO ] : SWUPDATE running :  [endupdate] : SWUpdate was successful !\n";

    [Fact]
    public void A_pass_and_a_refusal_decided()
    {
        Assert.True(Swupdate.Decided(new ToolResult(0, "[INFO ] : SWUPDATE successful ! SWUPDATE successful !\n" + EndedSuccessful, "")));
        Assert.True(Swupdate.Decided(new ToolResult(1, "[INFO ] : No SWUPDATE running :  Waiting for requests...\n", "[ERROR] : SWUPDATE failed [0] ERROR : SWUpdate *failed* !\n")));
        // Refused before any update started (a tampered signature): no end-of-update line at all.
        Assert.True(Swupdate.Decided(new ToolResult(1, "[ERROR] : SWUPDATE failed [0] ERROR : Signature verification failed\n", "")));
        // A failure logged beside the end line is a refusal, whatever the end line says.
        Assert.True(Swupdate.Decided(new ToolResult(1, "[ERROR] : SWUPDATE failed [0] ERROR : SWUpdate *failed* !\n" + EndedSuccessful, "")));
    }

    [Fact]
    public void Exit_1_after_its_own_successful_end_line_and_a_crash_decided_nothing()
    {
        // The status read back was IDLE before the image was opened: nothing checked, "successful", exit 1.
        Assert.False(Swupdate.Decided(new ToolResult(1, "[TRACE] : SWUPDATE running :  [start_delta_downloader] : Starting Internal process for downloading chunks\n" + EndedSuccessful, "")));
        Assert.False(Swupdate.Decided(new ToolResult(139, "[TRACE] : SWUPDATE running :  [network_initializer] : Main loop daemon\n", "")));
    }
}
