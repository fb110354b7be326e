// An NVTX injection library for tests/test_trace.py: loaded through NVTX_INJECTION64_PATH, it
// writes every domain push/pop and category name, one tab-separated line each, to the file
// named by NVTX_RECORD_PATH. Messages arrive as registered strings (the nvtx package
// registers them), so a string handle is simply a copy of its text.
#include <nvtx3/nvToolsExt.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

static FILE* out;

static const char* text_of(const void* handle) { return static_cast<const char*>(handle); }

static nvtxDomainHandle_t create_domain(const char* name) {
    return reinterpret_cast<nvtxDomainHandle_t>(strdup(name));
}

static nvtxStringHandle_t register_string(nvtxDomainHandle_t, const char* text) {
    return reinterpret_cast<nvtxStringHandle_t>(strdup(text));
}

static void name_category(nvtxDomainHandle_t domain, uint32_t id, const char* name) {
    fprintf(out, "category\t%s\t%u\t%s\n", text_of(domain), id, name);
}

static int push_range(nvtxDomainHandle_t domain, const nvtxEventAttributes_t* a) {
    const char* message = a->messageType == NVTX_MESSAGE_TYPE_REGISTERED ? text_of(a->message.registered)
                          : a->messageType == NVTX_MESSAGE_TYPE_ASCII    ? a->message.ascii
                                                                          : "";
    fprintf(out, "push\t%s\t%s\t%u\t", text_of(domain), message, a->category);
    if (a->payloadType == NVTX_PAYLOAD_TYPE_INT64) {
        fprintf(out, "%lld\n", static_cast<long long>(a->payload.llValue));
    } else {
        fprintf(out, "\n");
    }
    return 0;
}

static int pop_range(nvtxDomainHandle_t domain) {
    fprintf(out, "pop\t%s\n", text_of(domain));
    return 0;
}

static void install(NvtxFunctionTable table, unsigned size, unsigned id, NvtxFunctionPointer function) {
    if (id < size && table[id]) *table[id] = function;
}

extern "C" int InitializeInjectionNvtx2(NvtxGetExportTableFunc_t get_export_table) {
    const char* path = getenv("NVTX_RECORD_PATH");
    out = path ? fopen(path, "w") : nullptr;
    if (!out) return 0;
    setvbuf(out, nullptr, _IOLBF, 0);
    auto callbacks = static_cast<const NvtxExportTableCallbacks*>(get_export_table(NVTX_ETID_CALLBACKS));
    NvtxFunctionTable table = nullptr;
    unsigned size = 0;
    if (!callbacks || !callbacks->GetModuleFunctionTable(NVTX_CB_MODULE_CORE2, &table, &size)) return 0;
    install(table, size, NVTX_CBID_CORE2_DomainCreateA, reinterpret_cast<NvtxFunctionPointer>(create_domain));
    install(table, size, NVTX_CBID_CORE2_DomainRegisterStringA, reinterpret_cast<NvtxFunctionPointer>(register_string));
    install(table, size, NVTX_CBID_CORE2_DomainNameCategoryA, reinterpret_cast<NvtxFunctionPointer>(name_category));
    install(table, size, NVTX_CBID_CORE2_DomainRangePushEx, reinterpret_cast<NvtxFunctionPointer>(push_range));
    install(table, size, NVTX_CBID_CORE2_DomainRangePop, reinterpret_cast<NvtxFunctionPointer>(pop_range));
    return 1;
}
