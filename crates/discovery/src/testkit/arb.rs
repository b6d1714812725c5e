//! Arbitrum One's L1 governance, built on anvil from the real bytecode of
//! `@arbitrum/nitro-contracts` 3.2.0 (wired by its own `RollupCreator`),
//! `@offchainlabs/upgrade-executor`, OpenZeppelin 5's `TimelockController`
//! and Safe 1.4.1.
//!
//! Shape and values from L2BEAT's discovery of Arbitrum One (l2beat/l2beat,
//! packages/config/src/projects/arbitrum/ethereum/discovered.json, accessed
//! 2026-12-06) and ArbitrumFoundation/governance docs/overview.md
//! ("Proposal delays"), as catalog/arbitrum-one.toml cites them: the
//! UpgradeExecutor owns the Rollup and the ProxyAdmin; its EXECUTOR_ROLE is
//! held by the Security Council (9 of 12) and the L1 timelock (3 days,
//! getMinDelay = 259200), whose admin role is held by the UpgradeExecutor
//! (the loop that exists on chain, issue #13), whose CANCELLER_ROLE is the
//! UpgradeExecutor and whose proposer is the Bridge (L2→L1 messages from
//! the L2 timelock; executors: anyone); confirmPeriodBlocks =
//! 45818; SequencerInbox maxTimeVariation = (7200, 64, 86400, 768);
//! validatorWhitelistDisabled = true (BoLD, permissionless).

use alloy::primitives::{Address, B256, Bytes, U256, keccak256};
use alloy::providers::Provider;
use alloy::sol_types::{SolCall, SolValue};

use super::Chain;
use super::real::{OZ_TIMELOCK, SafeKit, keys};

pub const NITRO: &str = "@arbitrum/nitro-contracts/build/contracts/src";
pub const UPGRADE_EXECUTOR: &str =
    "@offchainlabs/upgrade-executor/build/contracts/src/UpgradeExecutor.sol/UpgradeExecutor.json";
pub const CONFIRM_PERIOD_BLOCKS: u64 = 45_818;
pub const DELAY_BLOCKS: u64 = 7_200;
pub const L1_TIMELOCK_DELAY: u64 = 3 * 86_400;

fn nitro(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    format!("{NITRO}/{path}.sol/{name}.json")
}

mod calls {
    alloy::sol! {
        struct MaxTimeVariation { uint256 delayBlocks; uint256 futureBlocks; uint256 delaySeconds; uint256 futureSeconds; }
        struct GlobalState { bytes32[2] bytes32Vals; uint64[2] u64Vals; }
        struct AssertionState { GlobalState globalState; uint8 machineStatus; bytes32 endHistoryRoot; }
        struct BufferConfig { uint64 threshold; uint64 max; uint64 replenishRateInBasis; }
        struct Config {
            uint64 confirmPeriodBlocks; address stakeToken; uint256 baseStake; bytes32 wasmModuleRoot;
            address owner; address loserStakeEscrow; uint256 chainId; string chainConfig;
            uint256 minimumAssertionPeriod; uint64 validatorAfkBlocks; uint256[] miniStakeValues;
            MaxTimeVariation sequencerInboxMaxTimeVariation; uint256 layerZeroBlockEdgeHeight;
            uint256 layerZeroBigStepEdgeHeight; uint256 layerZeroSmallStepEdgeHeight;
            AssertionState genesisAssertionState; uint256 genesisInboxCount; address anyTrustFastConfirmer;
            uint8 numBigStepLevel; uint64 challengeGracePeriodBlocks; BufferConfig bufferConfig;
            uint256 dataCostEstimate;
        }
        struct RollupDeploymentParams {
            Config config; address[] validators; uint256 maxDataSize; address nativeToken;
            bool deployFactoriesToL2; uint256 maxFeePerGasForRetryables; address[] batchPosters;
            address batchPosterManager; address feeTokenPricer; address customOsp;
        }
        function createRollup(RollupDeploymentParams deployParams) external payable returns (address);
        function bridge() external view returns (address);
        function sequencerInbox() external view returns (address);
        function inbox() external view returns (address);
        function outbox() external view returns (address);
        function rollupEventInbox() external view returns (address);
        function challengeManager() external view returns (address);
        function owner() external view returns (address);
        function executeCall(address target, bytes targetCallData) external payable;
        function grantRole(bytes32 role, address account) external;
        function revokeRole(bytes32 role, address account) external;
        function setValidatorWhitelistDisabled(bool _validatorWhitelistDisabled) external;
    }
}

pub struct ArbSystem {
    pub council: Address,
    pub council_keys: Vec<Address>,
    pub upgrade_executor: Address,
    pub timelock: Address,
    pub proxy_admin: Address,
    pub rollup: Address,
    pub bridge: Address,
    pub sequencer_inbox: Address,
    pub inbox: Address,
    pub outbox: Address,
    pub rollup_event_inbox: Address,
    pub challenge_manager: Address,
    pub batch_poster: Address,
    pub batch_poster_manager: Address,
    pub kit: SafeKit,
}

impl ArbSystem {
    pub fn council_signers(&self) -> Vec<super::Owner> {
        self.council_keys[..9]
            .iter()
            .map(|k| super::Owner::Key(*k))
            .collect()
    }
}

async fn addr(chain: &Chain, at: Address, data: Vec<u8>) -> Address {
    Address::abi_decode(&chain.view(at, data).await).expect("address")
}

pub async fn deploy_arbitrum_one(chain: &Chain) -> ArbSystem {
    let me = chain.deployer();
    let kit = SafeKit::deploy(chain).await;
    let council_keys = keys(7, 12);
    let council = kit.safe(chain, &council_keys, 9).await;
    let batch_poster = keys(8, 1)[0];
    let batch_poster_manager = keys(8, 2)[1];

    let max_data = U256::from(117_964u64);
    let reader = chain
        .deploy_real(
            "@arbitrum/nitro-contracts/out/yul/Reader4844.yul/Reader4844.json",
            vec![],
        )
        .await;
    let d = |p: &'static str| async move { chain.deploy_real(&nitro(p), vec![]).await };
    let bridge_t = d("bridge/Bridge").await;
    let si = chain
        .deploy_real(
            &nitro("bridge/SequencerInbox"),
            (max_data, reader, false, false).abi_encode_params(),
        )
        .await;
    let si_buf = chain
        .deploy_real(
            &nitro("bridge/SequencerInbox"),
            (max_data, reader, false, true).abi_encode_params(),
        )
        .await;
    let inbox_t = chain
        .deploy_real(&nitro("bridge/Inbox"), (max_data,).abi_encode_params())
        .await;
    let rei = d("rollup/RollupEventInbox").await;
    let outbox_t = d("bridge/Outbox").await;
    let templates = (bridge_t, si, si_buf, inbox_t, rei, outbox_t);
    let bridge_creator = chain
        .deploy_real(
            &nitro("rollup/BridgeCreator"),
            (templates, templates).abi_encode_params(),
        )
        .await;
    let p0 = d("osp/OneStepProver0").await;
    let pmem = d("osp/OneStepProverMemory").await;
    let pmath = d("osp/OneStepProverMath").await;
    let phio = chain
        .deploy_real(
            &nitro("osp/OneStepProverHostIo"),
            (Address::ZERO,).abi_encode_params(),
        )
        .await;
    let osp = chain
        .deploy_real(
            &nitro("osp/OneStepProofEntry"),
            (p0, pmem, pmath, phio).abi_encode_params(),
        )
        .await;
    let ecm = d("challengeV2/EdgeChallengeManager").await;
    let admin_logic = d("rollup/RollupAdminLogic").await;
    let user_logic = d("rollup/RollupUserLogic").await;
    let ue_logic = chain.deploy_real(UPGRADE_EXECUTOR, vec![]).await;
    let vwc = d("rollup/ValidatorWalletCreator").await;
    let creator = chain
        .deploy_real(
            &nitro("rollup/RollupCreator"),
            (
                me,
                bridge_creator,
                osp,
                ecm,
                admin_logic,
                user_logic,
                ue_logic,
                vwc,
                Address::ZERO,
            )
                .abi_encode_params(),
        )
        .await;
    let stake_token = chain
        .deploy_real(
            &nitro("test-helpers/TestToken"),
            (U256::from(10u64).pow(U256::from(24)),).abi_encode_params(),
        )
        .await;
    let config = calls::Config {
        confirmPeriodBlocks: CONFIRM_PERIOD_BLOCKS,
        stakeToken: stake_token,
        baseStake: U256::from(1000u64),
        wasmModuleRoot: B256::with_last_byte(0x33),
        owner: me,
        loserStakeEscrow: keys(8, 3)[2],
        chainId: U256::from(42_161u64),
        chainConfig: "{\"chainId\":42161}".to_string(),
        minimumAssertionPeriod: U256::from(75u64),
        validatorAfkBlocks: 201_600,
        miniStakeValues: vec![U256::from(1u64), U256::from(2u64), U256::from(3u64)],
        sequencerInboxMaxTimeVariation: calls::MaxTimeVariation {
            delayBlocks: U256::from(DELAY_BLOCKS),
            futureBlocks: U256::from(64u64),
            delaySeconds: U256::from(86_400u64),
            futureSeconds: U256::from(768u64),
        },
        layerZeroBlockEdgeHeight: U256::from(1u64 << 26),
        layerZeroBigStepEdgeHeight: U256::from(1u64 << 19),
        layerZeroSmallStepEdgeHeight: U256::from(1u64 << 23),
        genesisAssertionState: calls::AssertionState {
            globalState: calls::GlobalState {
                bytes32Vals: [B256::ZERO, B256::ZERO],
                u64Vals: [0, 0],
            },
            machineStatus: 1,
            endHistoryRoot: B256::ZERO,
        },
        genesisInboxCount: U256::ZERO,
        anyTrustFastConfirmer: Address::ZERO,
        numBigStepLevel: 1,
        challengeGracePeriodBlocks: 14_400,
        bufferConfig: calls::BufferConfig {
            threshold: 0,
            max: 0,
            replenishRateInBasis: 0,
        },
        dataCostEstimate: U256::ZERO,
    };
    let params = calls::RollupDeploymentParams {
        config,
        validators: vec![],
        maxDataSize: max_data,
        nativeToken: Address::ZERO,
        deployFactoriesToL2: false,
        maxFeePerGasForRetryables: U256::ZERO,
        batchPosters: vec![batch_poster],
        batchPosterManager: batch_poster_manager,
        feeTokenPricer: Address::ZERO,
        customOsp: Address::ZERO,
    };
    let call = calls::createRollupCall {
        deployParams: params,
    }
    .abi_encode();
    let rollup = addr(chain, creator, call.clone()).await;
    chain.send(me, creator, call).await;

    let rollup_read = |c: Vec<u8>| addr(chain, rollup, c);
    let bridge = rollup_read(calls::bridgeCall {}.abi_encode()).await;
    let sequencer_inbox = rollup_read(calls::sequencerInboxCall {}.abi_encode()).await;
    let inbox = rollup_read(calls::inboxCall {}.abi_encode()).await;
    let outbox = rollup_read(calls::outboxCall {}.abi_encode()).await;
    let rollup_event_inbox = rollup_read(calls::rollupEventInboxCall {}.abi_encode()).await;
    let challenge_manager = rollup_read(calls::challengeManagerCall {}.abi_encode()).await;
    let upgrade_executor = rollup_read(calls::ownerCall {}.abi_encode()).await;
    let admin_slot: B256 = "0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103"
        .parse()
        .expect("slot");
    let word = chain
        .provider
        .get_storage_at(bridge, U256::from_be_bytes(admin_slot.0))
        .await
        .expect("admin slot");
    let proxy_admin = Address::from_word(B256::from(word));

    // The L1 timelock: 3 days, proposer the Bridge (messages from L2),
    // executors anyone, administered by the UpgradeExecutor.
    let timelock = chain
        .deploy_real(
            OZ_TIMELOCK,
            (
                U256::from(L1_TIMELOCK_DELAY),
                vec![bridge],
                vec![Address::ZERO],
                upgrade_executor,
            )
                .abi_encode_params(),
        )
        .await;
    // Through the UpgradeExecutor (the creator made the deployer its
    // executor): BoLD's permissionless validation; the council and the
    // timelock become the executors, the deployer steps down.
    let exec = |target: Address, data: Vec<u8>| async move {
        chain
            .send(
                me,
                upgrade_executor,
                calls::executeCallCall {
                    target,
                    targetCallData: Bytes::from(data),
                }
                .abi_encode(),
            )
            .await
    };
    exec(
        rollup,
        calls::setValidatorWhitelistDisabledCall {
            _validatorWhitelistDisabled: true,
        }
        .abi_encode(),
    )
    .await;
    // The UpgradeExecutor cancels on the L1 timelock (so the council can
    // veto DAO upgrades), as on Arbitrum One.
    exec(
        timelock,
        calls::grantRoleCall {
            role: keccak256("CANCELLER_ROLE"),
            account: upgrade_executor,
        }
        .abi_encode(),
    )
    .await;
    let executor_role = keccak256("EXECUTOR_ROLE");
    for who in [council, timelock] {
        exec(
            upgrade_executor,
            calls::grantRoleCall {
                role: executor_role,
                account: who,
            }
            .abi_encode(),
        )
        .await;
    }
    exec(
        upgrade_executor,
        calls::revokeRoleCall {
            role: executor_role,
            account: me,
        }
        .abi_encode(),
    )
    .await;
    chain.mine().await;
    ArbSystem {
        council,
        council_keys,
        upgrade_executor,
        timelock,
        proxy_admin,
        rollup,
        bridge,
        sequencer_inbox,
        inbox,
        outbox,
        rollup_event_inbox,
        challenge_manager,
        batch_poster,
        batch_poster_manager,
        kit,
    }
}
