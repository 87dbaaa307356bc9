"""The words a failure reason may keep when it goes into a prompt (`lemonade.gate.failure_text`).

Lower-case. What PyTorch's and Python's common error messages say (shapes, dtypes, devices,
missing attributes), the words of lemonade's own failure reasons, and the names of Python's
exception classes. A fixed list on purpose: nothing a candidate prints can add a word to it.
"""

from __future__ import annotations

_WORDS = """
a able about above accept accepted access accuracy act activations actual adaptive
adaptiveavgpool2d add adopt_splits advice after afterwards again against ahead airbench alias
aliases alike all allclose allocate allocated allocator allow allowed allowed_imports almost
alone along already also always amax amin among an and anneal annotation annotations another any
anything anywhere apply arange architecture archive are area argmax argmin args argument
arguments argv arithmetic arithmeticerror around arrays arrive arrives art_dir artifact
artifacterror artifacts as as_strided ask asking asks assert assertion assertionerror
assignments async asynchronous at aten atol atomically atomics attempt attempts attention attr
attribute attributeerror attributes augment augmentation augmented auto autocast autotuning
available avg avgpool avgpool2d axes axis back background backward bad base based
baseexception baseexceptiongroup bases bases__ batch batched batches batchnorm batchnorm1d
batchnorm2d be became because become becomes been before behaves behind being believed below
bench best between beyond bf16 bfloat16 bias big bill billed bind binding bit block
blockingioerror blocks bodies body bool bool_ both bottom bound bounded bounds branch
brokenpipeerror bubblewrap budget budgets buffer buffererror buffers build build_net building
builds built builtins builtins__ business but by bytes byteswarning cache calculated call
callable called caller callers calling calls came can can' candidate candidate_id candidates
cannot capacity carry cat category caught cause cdll cfg chain chains change changed changes
channel channel_shuffle channels channels_last characters charges chatter cheap cheaply check
check_output check_source checked checking checks childprocesserror choose chosen chunk class
class__ classes clearly cli clock clone close closed closes co2 code codes come comes command
compare compared compares comparison compatible compile complete complex computation computed
computes concatenation config configuration configured connectionabortederror connectionerror
connectionrefusederror connectionreseterror constant constant_pad_nd constants constructor
constructors contain container containment contains contiguous contrast control conv conv1d
conv2d conv3d convergence convolution convolutions convtranspose2d copies copy copy_ cosine cost
costs could count count_nonzero counted counter counting counts cover cpu cpu_sample_s
cpu_threads crafted crashed create creation crosses ctypes cuda cudnn cumprod cumsum custom cut
cwd cycle_momentum data dataloader dataset dataset_info deadline decay decorators deep deeper
deeply def default defaults defence define defined defining definitions delattr demo denied
denote depend dependent depends deployment deprecation deprecationwarning depth deriving
descendant describes descriptor deserialised deserialiser detach device devices diagnosis dict
dicts did die died dies differ difference different dilation dim dim0 dim1 dimension dimensions
dims dir directly directory disagree discovery dispatched display diverged divide division do
docstrings documented does doing done dormant double draw draws driver drives dropout dropped
dry dtype dtypes due dunder during dynamic dynamic_axes dynamo each eager early edge effect
either element elements elementwise elif else embedding empty empty_like empty_strided
encodingwarning end ended energy energytracker enforced enough entered env environment
environmenterror eoferror epoch epochs epochstats eps eq equal error errors eval eval_split
evalresult evaluate evaluate_accuracy evaluate_source evaluation even event events ever every
everything evolution exact exactly example examples exceeded except exception exceptiongroup
exclude excluded exec execute exempt existed exists exit exits exp expand expand_as expect
expected expects expert explicitly export exportable exported exporter exporterror exporting
exportresult exports expr expression extra fail failed fails failure failures fall falling falls
false far fd feature_dropout feedback fell few fidelity fidelity_of fields figure figures file
fileexistserror filenotfounderror files fill fill_ filter final final_epochs finalize find fine
finish finished finite fire first fit fits fixed flatten flight flip float float16 float32
float64 floating floatingpointerror floats flop_counter flopcountermode flops flops_tolerance
flow flush folder following for forbidden forges fork fork_eligible fork_server forked
forkedproc forks_workers forkserver format formulas forward found four fps fraction frame free
freed fresh friends from from_file front full full_like function functional functions functools
future__ futurewarning gather gb gelu generated generator generatorexit get getattr getrusage
gets gib given gives global go goes gone good got gpu grad gradient gradients graph graph_flops
graph_varies_with_batch greater group grouped groupnorm groups gru guard had half halving hand
handed hands happens has hasattr hash hashable have head header heading heads held here hidden
hide hides high higher highest history hold holder holding holds home honestly host host_measure
host_pid host_splits how however huge idempotent identical if image image_size images import
import__ import_name importable imported importerror importing imports importwarning improver in
in_channels included including incompatible indentation indentationerror indented index
index_select indexerror indexing indices inf inference infinite info inherits init init__
innermost inplace input inputs inside installed installs instance instancenorm instances instant
instantiate instead instruction int int16 int32 int64 int8 integer integers internals
interpreter interrupted interruptederror interval into invalid invisible ioerror is
isadirectoryerror isinstance isolated isolation issubclass it item iterable iteration iterations
iterative its itself jit job json kb keep keeps kept kernel key keyboardinterrupt keyed
keyerror keys keyword keywords kib kill killable killed killer killing kills kind knobs known
kthvalue label labels lands large larger largest last latency later layer layernorm layers
lazily lazy leaf least leaves left lemonade lemonade_parent_pid lets level level_ levels library
lift_fresh lift_fresh_copy lifted like limit limited limits linalg_vector_norm line linear lines
list listed lists literal literals live liveness lives llm load load_program loader loading
loads local_scalar_dense lock locked log log_softmax logits logsumexp long looked looks
lookuperror loop loops loose loss lr lstm machine machines made main main__ maintained make
malformed many maps mark masked_select masks mat1 mat2 match matches matching math matmul
matmuls matters max max_ast_depth max_llm_calls max_seconds maximum maxpool maxpool2d may mb
mean means measure measure_model measure_worker measured measurement measures measuring median
memory memoryerror message meta metaclass metaclasses metadata method methods metric metrics mib
might min minute minutes mismatch mismatches missing mode model modelfile modification modified
modify modifying module moduledict modulelist modulenotfounderror modules modulo momentum
monkeypatching more most move moved movedim movement moving mps ms mul multi multihead
multiplied multiply must name name__ named nameerror names namespace naming nan nansum narrow
native_dropout need needed needs negative neither nested net network never new new_empty
new_empty_strided new_full new_ones new_zeros news next nn nnnn no no_grad node nodes non none
nonetype nonnegative nor norm normalisation normalise normalised normally not notadirectoryerror
note nothing notimplementederror now ns_pid num_classes number numbers numerically numpy obj
object objectives objects obviously of off offline offset ok older omp_num_threads on on_event
once one onecycle ones ones_like only onnx onnxruntime onnxscript op op_flops open operand
operands operation operator operators ops optim optimizer optional or order original orphan os
oserror other others otherwise our out outcome output outputs outside over overflow
overflowerror overlaps owed own pad padded padding pair parallel parallelconfig parameter
parameterdict parameterlist parameters params parent pareto parse partial pass passed passes
passing path patterns payload pays peak pending_repairs pendingdeprecationwarning per permission
permissionerror permutation permute pickle pickles pid pipes pixel_shuffle pixel_unshuffle place
plain plan planned plays point pointed pointwise policy pool pooling popen positional positive
possibly power prctl preexec_fn prefix preprocesses prestart previous prims print printed prints
private problem problems proc process processes processexit processlookuperror prod produces
program programmodule progress promote promoted promoting promotion promotions prompt propagate
proposal proposals propose proposed proposer proposes proposing protocol proves proxy
proxy_epochs pt pure put puts py python pytorch query queued quotes raised raises ran random
range ranges rank rank_by_fidelity ranking ranks rather raw ray reach reached read reading reads
ready real really reap reaped reason rebinding rebound rebuild rebuilt receiver record recorded
recording records recursion recursionerror reductions referenceerror refuse refused refusedmodel
refuses register_buffer rehearse rejected rejects relative relu remove removed rename reopen
repair repair_attempts repair_of repaired repairs repeat replace replay reply report reported
reports reproducibility reproducible request requested require required requires reserved
reshape reshape_alias reshapes resize_ resolved resourcewarning restored result results resume
resumed resumes retrain retrained retried retry retrying return returned returns reuses
rlimit_as rlimit_core rlimit_fsize rlimit_nproc rlimits rnn roll root round row rtol rule run
run_candidate run_dir runlock runlocked runner running runs runtimeerror runtimewarning s safe
safetensors said same sampled samples sandbox sandboxed sandboxprocess save saved saw say saying
says scalar scalar_tensor scalars scale schedule schema score scratch script scrubbed search
searches seccomp second seconds sections see seed seeded seeds seen sees select select_scatter
self sends separate sequential serialisation serialised serialises serializer server serves
session set setattr sets setting settings setup several sha256 shadows shape shapes shared
shares shift ship should side sigkill sigmoid signal silence silu since single singleton size
sizes skipped skips slice slice_scatter slot slot_temperature slow slowest small smaller smith
smoothing so softmax some something sort source span spawn spelt spent split split_blobs
split_with_sizes splits sqrt squeeze srepr stack stale stand star start started starting starts
state statement statements static staticmethod statistics stats status stays std std_mean stderr
stdin stdout step steps still stop stopasynciteration stopiteration stopped stops store stored
str stray stream stride strides string strings subclasses__ subclassing submit submitted
submodule submodules subscriptable success successive such suggestion sum super surfaces
swallowed sym_numel sym_size sym_stride symbolic symbols sympify sympy syntax syntaxerror
syntaxwarning sys system systemerror systemexit taberror tag tail take taken takes taking tanh
target task tasks tells temperature temperatures tensor tensors test tests text than that the
their them then there therefore these they thing third this those thread threads three through
tile time time_budget timed timeout timeout_s timeouterror times timing tmpdir to to_copy too
top topin topk torch torchbind torchdispatchmode torchscript total touch tournament trace
tracker train train_accuracy train_candidate train_metrics train_model train_on_val
train_plus_val train_seconds train_speed train_split trainable trainconfig trained
trainedcandidate training trains trainval transpose tree tried triple true truncated trusted try
trying tuple tuples two type typeerror types typing uint8 unavailable unbind unboundlocalerror
uncategorised unchanged unchecked under underscore unexpected unflatten unicodedecodeerror
unicodeencodeerror unicodeerror unicodetranslateerror unicodewarning unindent unknown unless
unlike unpack unpacking unpickled unpickles unreadable unsafe unsafe_view unsqueeze unsupported
until untrusted up usage use used user userwarning uses using usual utils val validation value
valueerror values var var_mean variable variables variance version via view view_as views
violation violations virtual visible wait wait4 waits wall warm warm_next warm_up
warmup_fraction warning warnings was water way we weight weights weights_only were what whatever
when whenever where whether which while whole whose why will window winner wiring with within
without worker worker_pid workers works workspace world worse would write writes written wrong
wrote x x_train yet za zero zero_ zerodivisionerror zeros zeros_like"""

# the failure rules' words (lemonade.rules.FAILURE_KINDS)
_RULE_WORDS = "oom bad_alloc alloc explode exploded exploding non finite deadline mismatch sigkill"

VOCABULARY: frozenset[str] = frozenset(_WORDS.split() + _RULE_WORDS.split())
