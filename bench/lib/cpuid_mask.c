/* Make this x86-64 CPU look like an older one to everything in the process, at native speed.
 *
 * LD_PRELOAD=cpuid_mask.so CPUID_MASK=avx2|noamx python …
 *
 * ONNX Runtime's MLAS picks its kernels from CPUID and XCR0 alone (core/mlas/lib/platform.cpp;
 * no environment variable or session option caps the x86 ISA — the only MLAS session option,
 * mlas.disable_kleidiai, is for Arm). So the tests hide the newer features from CPUID itself:
 * Linux's CPUID faulting (arch_prctl ARCH_SET_CPUID, 0; since Linux 4.12, where the CPU or
 * hypervisor offers it: flag "cpuid_fault") turns every CPUID instruction into SIGSEGV; the
 * handler runs the real CPUID and clears the bits of AMX (noamx) or of AVX-512, AMX and
 * AVX-VNNI (avx2). ONNX Runtime, oneDNN, MKL, torch's cpuinfo and numpy all then see that CPU.
 * The setting is inherited by threads and reset by execve, so the constructor runs in each
 * process. A process that installs its own SIGSEGV handler later (faulthandler) breaks it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define ARCH_SET_CPUID 0x1012
static int avx2_only;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static void on_segv(int sig, siginfo_t *si, void *ctx) {
    greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    unsigned char *ip = (unsigned char *)g[REG_RIP];
    (void)si;
    if (ip[0] != 0x0f || ip[1] != 0xa2) { signal(sig, SIG_DFL); return; }  /* a real fault */
    uint32_t r[4], leaf = (uint32_t)g[REG_RAX], sub = (uint32_t)g[REG_RCX];
    syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1);
    cpuid(leaf, sub, r);
    syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0);
    if (leaf == 7 && sub == 0) {
        r[3] &= ~((1u << 22) | (1u << 23) | (1u << 24) | (1u << 25));  /* amx_bf16 avx512_fp16 amx_tile amx_int8 */
        if (avx2_only) {
            r[1] &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) |
                      (1u << 30) | (1u << 31));  /* avx512 f dq ifma pf er cd bw vl */
            r[2] &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));  /* vbmi vbmi2 vnni bitalg popcnt */
            r[3] &= ~((1u << 2) | (1u << 3) | (1u << 8));
        }
    }
    if (leaf == 7 && sub == 1) {
        r[0] &= ~(1u << 21);  /* amx_fp16 */
        if (avx2_only) r[0] &= ~((1u << 4) | (1u << 5));  /* avx_vnni, avx512_bf16 */
    }
    if (leaf == 0xd && sub == 0) {  /* XSAVE components offered: no tile state; no AVX-512 state */
        r[0] &= ~(3u << 17);
        if (avx2_only) r[0] &= ~0xe0u;
    }
    g[REG_RAX] = r[0]; g[REG_RBX] = r[1]; g[REG_RCX] = r[2]; g[REG_RDX] = r[3];
    g[REG_RIP] += 2;
}

__attribute__((constructor)) static void init(void) {
    const char *mode = getenv("CPUID_MASK");
    struct sigaction sa;
    if (!mode || !*mode) return;
    avx2_only = strcmp(mode, "avx2") == 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0);
}
